import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { QuarantinedMail, QuarantineRepository } from '../../ports/quarantine-repository.ts';
import { keys, stripKeys } from './keys.ts';

export const makeDynamoQuarantineRepository = (ddb: DynamoDBDocumentClient, table: string): QuarantineRepository => ({
  async put(mail) {
    await ddb.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...keys.quarantine(mail.companyId, mail.quarantinedAt, mail.mailId),
          entity: 'QuarantinedMail',
          ...mail,
        },
      }),
    );
  },
  async list(companyId, limit) {
    const res = await ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.quarantine(companyId, '', '').pk },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (res.Items ?? []).map((i) => stripKeys<QuarantinedMail>(i));
  },
});
