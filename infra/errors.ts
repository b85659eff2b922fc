import { SmsimError } from "../domain/errors";

export class TemplateError extends SmsimError {
  constructor(message: string) {
    super("TEMPLATE_INVALID", message);
  }
}

export class OverrideError extends SmsimError {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super("OVERRIDE_INVALID", `override ${key}: ${message}`);
  }
}
