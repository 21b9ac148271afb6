// A WebAuthn authenticator for Chromium tests, made with the Chrome DevTools Protocol: it
// answers navigator.credentials like a passkey or security key would, with no person to touch it.
import type { CDPSession, Page } from 'playwright-core';

export interface VirtualAuthenticatorOptions {
  /** ctap2 (passkeys, user verification) or u2f (an old security key). */
  protocol: 'ctap2' | 'u2f';
  /** internal: a platform authenticator (the laptop's own); usb, nfc, ble: a roaming security key. */
  transport: 'internal' | 'usb' | 'nfc' | 'ble';
  /** Can keep discoverable credentials (passkeys). */
  hasResidentKey: boolean;
  hasUserVerification: boolean;
  /** The answer to user verification (fingerprint, PIN) while it is asked for. */
  isUserVerified: boolean;
  /** Marks new credentials as synced (backup eligible and backed up), like a cloud passkey. */
  synced: boolean;
}

export interface VirtualCredential {
  credentialId: string; // base64
  isResidentCredential: boolean;
  rpId?: string;
  userHandle?: string; // base64
  signCount: number;
}

export interface VirtualAuthenticator {
  authenticatorId: string;
  cdp: CDPSession;
  /** The credentials it holds, as the relying party registered them. */
  credentials(): Promise<VirtualCredential[]>;
  /** What the next user verification answers (a person failing the fingerprint check, say). */
  setUserVerified(verified: boolean): Promise<void>;
  remove(): Promise<void>;
}

/** Adds a platform passkey authenticator (ctap2, internal, resident keys, user verified) to `page`, unless told otherwise. */
export async function addVirtualAuthenticator(page: Page, options: Partial<VirtualAuthenticatorOptions> = {}): Promise<VirtualAuthenticator> {
  const { synced = false, ...rest } = options;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true,
      automaticPresenceSimulation: true, defaultBackupEligibility: synced, defaultBackupState: synced, ...rest,
    },
  });
  return {
    authenticatorId,
    cdp,
    async credentials() {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials;
    },
    async setUserVerified(verified) {
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: verified });
    },
    async remove() {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    },
  };
}
