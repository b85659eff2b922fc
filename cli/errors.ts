import { SmsimError } from "../domain/errors";

/**
 * The environment lacks something a command needs: a setting, or a service that answers. The
 * message names what is missing and the ways out; codes: SQS_TARGET_MISSING, MYSQL_UNREACHABLE,
 * SQS_UNREACHABLE, CARRIER_UNREACHABLE, LAMBDA_UNREACHABLE, SERVICE_UNREACHABLE.
 */
export class EnvironmentError extends SmsimError {}
