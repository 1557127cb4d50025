import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CompanyDocument } from '../../domain/company-documents.ts';
import { queryPrefix } from './query-all.ts';

/** A company's documents (Kbis, insurance, …), one item each in the company partition (`DOC#<id>`). */
export const makeDynamoCompanyDocuments = (ddb: DynamoDBDocumentClient, table: string) => ({
  async list(companyId: string): Promise<CompanyDocument[]> {
    return (await queryPrefix(ddb, table, `C#${companyId}`, 'DOC#')).map(
      (i) => JSON.parse(String(i.json)) as CompanyDocument,
    );
  },
  async put(companyId: string, d: CompanyDocument): Promise<void> {
    await ddb.send(
      new PutCommand({
        TableName: table,
        Item: { pk: `C#${companyId}`, sk: `DOC#${d.id}`, entity: 'CompanyDocument', json: JSON.stringify(d) },
      }),
    );
  },
  async delete(companyId: string, id: string): Promise<void> {
    await ddb.send(new DeleteCommand({ TableName: table, Key: { pk: `C#${companyId}`, sk: `DOC#${id}` } }));
  },
});
