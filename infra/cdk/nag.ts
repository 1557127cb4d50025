import { type App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag 3 is a policy-validation plugin (not an Aspect): it runs after synthesis over the construct tree,
 * and any unacknowledged finding — warnings included — fails `app.synth()` / `cdk synth`.
 */
export const addNagChecks = (app: App): void => {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
};

/** Acknowledge one AwsSolutions finding (`'S1'`, `'IAM5[Action::s3:List*]'`) on a construct and its children. */
export const acknowledge = (scope: IConstruct, finding: string, reason: string): void => {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${finding}`, reason });
};

/**
 * Acknowledge the IAM5 finding for one wildcard resource (e.g. `<bucket ARN>/*`), computed from the token
 * the grant used. The finding's text embeds the reference as cdk-nag flattens it *after* cross-stack
 * references are resolved (an `Fn::ImportValue` of a generated export name), so it can only be computed
 * once the app is prepared: this registers a construct validation, which CDK runs after preparing the
 * app and before the validation plugins. Only that exact resource string is acknowledged; any other
 * wildcard on the same role still fails synthesis.
 */
export const acknowledgeWildcardResource = (scope: IConstruct, resource: () => string, reason: string): void => {
  scope.node.addValidation({
    validate: () => {
      const flat = flattenCfnReference(Stack.of(scope).resolve(resource()));
      acknowledge(scope, `IAM5[Resource::${flat}]`, reason);
      return [];
    },
  });
};
