export { expenseWorkflowDeps as defaultDeps } from '../expense-intake/deps.ts';
