import { ApiError, request } from '../api';
import { t } from '../i18n';

// The Trust API (CONTRACT.md "Trust"): policies and the audit log for
// administrators, notices for everyone.

export type PolicyState = 'scheduled' | 'active' | 'expired' | 'cancelled';
export type TargetType = 'app' | 'merchant' | 'user' | 'developer';
export type Scope = 'distribution' | 'hosting' | 'payments' | 'messaging';

export interface Policy {
  id: string;
  kind: string;
  target_type: TargetType;
  target_id: string;
  target_name?: string;
  regions: string[];
  scopes: Scope[];
  effective_at: string;
  expires_at: string | null;
  reason: string;
  legal_ref: string;
  state: PolicyState;
  created_by: string;
  created_at: string;
  cancelled_at: string | null;
  cancel_reason: string;
}

export interface NewPolicy {
  kind: 'block';
  target_type: TargetType;
  target_id: string;
  regions: string[];
  scopes: Scope[];
  effective_at: string;
  expires_at?: string;
  reason: string;
  legal_ref?: string;
}

export interface AuditEntry {
  index: number;
  time: string;
  actor: string;
  action: string;
  target: string;
  details: unknown;
  hash: string;
  prev_hash: string;
}

export interface AuditVerify {
  ok: boolean;
  entries: number;
  head: string;
  first_bad?: number;
  problem?: string;
}

export interface Notice {
  policy_id: string;
  target_type: TargetType;
  target_id: string;
  target_name: string;
  scopes: Scope[];
  effective_at: string;
  expires_at?: string;
  message: string;
  state?: PolicyState;
}

const enc = encodeURIComponent;

async function text(path: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'text/plain' } });
  } catch {
    throw new ApiError(0, 'network_error', t('errors.network'));
  }
  const body = await res.text();
  if (!res.ok) {
    let msg = t('discover.request_failed', { status: String(res.status) });
    try {
      msg = JSON.parse(body).error.message || msg;
    } catch {
      /* plain text */
    }
    throw new ApiError(res.status, 'http_' + res.status, msg);
  }
  return body;
}

export const trustApi = {
  policies: (state: PolicyState | '', cursor = '') =>
    request<{ items: Policy[]; next_cursor?: string }>(
      'GET',
      '/api/v1/admin/policies?state=' + enc(state) + (cursor ? '&cursor=' + enc(cursor) : ''),
    ),
  createPolicy: (body: NewPolicy) => request<{ policy: Policy }>('POST', '/api/v1/admin/policies', { body }),
  cancelPolicy: (id: string, reason: string) =>
    request<{ policy: Policy }>('POST', '/api/v1/admin/policies/' + enc(id) + '/cancel', { body: { reason } }),
  audit: (after: number, limit: number) =>
    request<{ items: AuditEntry[]; next_cursor?: string }>(
      'GET',
      '/api/v1/admin/audit?limit=' + limit + (after >= 0 ? '&after=' + after : ''),
    ),
  verify: () => request<AuditVerify>('GET', '/api/v1/admin/audit/verify'),
  checkpoint: () => text('/api/v1/admin/audit/checkpoint'),
  notices: () => request<{ items: Notice[] }>('GET', '/api/v1/notices'),
};
