/** Receipt ↔ card transaction matching: pure scoring, candidate index, sum shapes, assignment, refunds. */

export { type AmountEvidence, amountEvidence, convertMoney, TIP_TOLERANCE_BPS } from './amount.ts';
export {
  type Assignment,
  assign,
  assignKeyed,
  compareOptions,
  decisionOrder,
  type KeyedAssignment,
  OptionTable,
} from './assign.ts';
export { candidateWindow, ReceiptIndex, TransactionIndex } from './candidate-index.ts';
export { epochDay, localDaySpan } from './dates.ts';
export { exactSubsets, manyToTransactionOptions, receiptToManyOptions } from './groups.ts';
export { jaroWinkler, merchantSimilarity, type NormalizedMerchant, normalizeMerchant } from './merchant.ts';
export { type ReconcileHooks, type ReconcileResult, reconcile } from './reconcile.ts';
export { linkRefunds, type RefundLink } from './refunds.ts';
export {
  type DateEvidence,
  dateEvidence,
  isLodgingMcc,
  type PreparedReceipt,
  type PreparedTransaction,
  prepareReceipt,
  prepareReceiptWith,
  prepareTransaction,
  prepareTransactionWith,
  SimilarityCache,
  type SimilarityMemo,
  scorePair,
  scorePrepared,
  scorePreparedValue,
  WEIGHTS,
} from './score.ts';
export {
  defaultMatchOptions,
  type MatchGroup,
  type MatchOptions,
  type MatchProposal,
  type MatchReceipt,
  type MatchShape,
  type MatchTransaction,
  type PairScore,
  type RateSource,
} from './types.ts';
