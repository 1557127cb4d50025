/**
 * CDK entry point (cdk.json: `npx tsx infra/cdk/app.ts`). `npm run synth` synthesizes both stacks of the
 * stage given by `-c stage=<name>` (default dev) from infra/topology.ts, with cdk-nag AwsSolutions.
 */
import { topology } from '../topology.ts';
import { addNagChecks } from './nag.ts';
import { buildQuittance, createApp } from './quittance.ts';

const app = createApp();
buildQuittance(app, topology);
addNagChecks(app);
app.synth();
