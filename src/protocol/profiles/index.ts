import { PROFILE_IDS, type ProfileId } from '../context.js';
import { beckn200 } from './beckn-2.0.0.js';
import { degOrderDraft } from './deg-order-draft.js';
import type { Profile } from './types.js';

export type { ParsedMessage, ParseOptions, Profile, WireMessage } from './types.js';
export { BECKN_CORE_CONTEXT } from './deg-order-draft.js';

const PROFILES: Readonly<Record<ProfileId, Profile>> = {
  'beckn-2.0.0': beckn200,
  'deg-order-draft': degOrderDraft,
};

/** The profile of an id: `beckn-2.0.0` (the default) or `deg-order-draft`. */
export function getProfile(id: ProfileId): Profile {
  return PROFILES[id];
}

/** True for a profile id degsim knows (for scenario validation). */
export function isProfileId(s: string): s is ProfileId {
  return (PROFILE_IDS as readonly string[]).includes(s);
}
