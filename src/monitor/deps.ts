// What the monitor's templates take from the event handler (the IAM actions of its own role and of
// the role it assumes in each account) and from the history (its DynamoDB table): one place, so
// the templates can't drift from the code that makes the calls.
export { monitorAuditActions, monitorFunctionActions, monitoredAccountActions, monitorIamPolicy, type MonitorPolicyOptions } from '../events/actions';
export { dynamoTableDefinition } from '../history/dynamodb';
