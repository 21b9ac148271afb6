// Validates an OpenAPI document against the OpenAPI 3.1 schema (a library nobody here wrote).
import { Validator } from '@seriousme/openapi-schema-validator';

export async function validate(document: unknown): Promise<{ valid: boolean; errors?: unknown }> {
  const validator = new Validator();
  return validator.validate(document as never);
}
