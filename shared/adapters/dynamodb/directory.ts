import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CompanyProfile, Directory, DirectoryUser } from '../../ports/directory.ts';
import { keys, stripKeys } from './keys.ts';

export const makeDynamoDirectory = (ddb: DynamoDBDocumentClient, table: string): Directory => {
  const get = async (Key: Record<string, string>) => (await ddb.send(new GetCommand({ TableName: table, Key }))).Item;
  const directory: Directory = {
    async companyForInbox(address) {
      const item = await get(keys.inbox(address));
      return item ? { companyId: String(item.companyId) } : null;
    },
    async userByAddress(companyId, address) {
      const link = await get(keys.userAddress(companyId, address));
      return link ? directory.user(companyId, String(link.userId)) : null;
    },
    async user(companyId, userId) {
      const item = await get(keys.user(companyId, userId));
      return item ? stripKeys<DirectoryUser>(item) : null;
    },
    async company(companyId) {
      const item = await get(keys.company(companyId));
      if (!item) return null;
      return {
        companyId,
        legalName: String(item.legalName ?? ''),
        country: String(item.country ?? 'FR'),
        currency: String(item.currency ?? 'EUR'),
        extractionEngine: item.extractionEngine === 'textract' ? 'textract' : 'builtin',
      } satisfies CompanyProfile;
    },
  };
  return directory;
};
