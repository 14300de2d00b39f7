/** Platform API bodies → the requests services take (one source or a batch). */
import type { Static } from 'typebox';
import { AppError } from '../../domain/errors.js';
import type { AddProviderInput } from '../../services/platform-accounts.service.js';
import type { AddProvidersBody } from '../schemas/platform.js';

export function addProvidersRequest(b: Static<typeof AddProvidersBody>): { items: AddProviderInput[]; batch: boolean } {
  if (b.providers !== undefined) {
    const single = (['provider_id', 'display_label', 'connection'] as const).find((k) => b[k] !== undefined);
    if (single) throw AppError.badRequest(single, `Send either one source or "providers", not both ("${single}" beside "providers")`);
    return { items: b.providers, batch: true };
  }
  if (b.provider_id === undefined) throw AppError.badRequest('provider_id', '"provider_id" is required (or "providers" for several sources)');
  if (b.connection === undefined) throw AppError.badRequest('connection', '"connection" is required');
  return { items: [{ provider_id: b.provider_id, connection: b.connection, ...(b.display_label !== undefined ? { display_label: b.display_label } : {}) }], batch: false };
}
