import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Directory, DirectoryUser } from '../../ports/directory.ts';
import { keys, stripKeys } from './keys.ts';

export const makeDynamoDirectory = (ddb: DynamoDBDocumentClient, table: string): Directory => ({
  async companyForInbox(address) {
    const res = await ddb.send(new GetCommand({ TableName: table, Key: keys.inbox(address) }));
    return res.Item ? { companyId: String(res.Item.companyId) } : null;
  },
  async userByAddress(companyId, address) {
    const link = await ddb.send(new GetCommand({ TableName: table, Key: keys.userAddress(companyId, address) }));
    if (!link.Item) return null;
    const user = await ddb.send(
      new GetCommand({ TableName: table, Key: keys.user(companyId, String(link.Item.userId)) }),
    );
    return user.Item ? stripKeys<DirectoryUser>(user.Item) : null;
  },
});
