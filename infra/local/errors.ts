import { SmsimError } from "../../domain/errors";

/** A local service (ElasticMQ, MariaDB, Maven) could not be fetched, started or stopped. */
export class LocalServiceError extends SmsimError {
  constructor(
    readonly service: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super("LOCAL_SERVICE_FAILED", `${service}: ${message}`, options);
  }
}
