import { ApiError, describeError } from "../../api/errors";
import i18n from "../../i18n";

/**
 * The browser side of passkeys with the plain WebAuthn API. The server sends options and takes credentials in the
 * W3C JSON form (binary as base64url); these helpers turn one into what navigator.credentials wants and back.
 */

export function base64urlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesToBase64url(buffer: ArrayBuffer | Uint8Array): string {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

interface DescriptorJson {
  id: string;
  type: string;
  transports?: string[];
}

type Json = Record<string, unknown>;

function descriptors(list: unknown): PublicKeyCredentialDescriptor[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return (list as DescriptorJson[]).map((d) => ({
    id: base64urlToBytes(d.id),
    type: "public-key",
    ...(d.transports ? { transports: d.transports as AuthenticatorTransport[] } : {}),
  }));
}

/** PublicKeyCredentialCreationOptionsJSON → what navigator.credentials.create takes. */
export function creationOptionsFromJson(json: Json): PublicKeyCredentialCreationOptions {
  const user = json.user as { id: string; name: string; displayName: string };
  const exclude = descriptors(json.excludeCredentials);
  return {
    ...(json as unknown as PublicKeyCredentialCreationOptions),
    challenge: base64urlToBytes(json.challenge as string),
    user: { ...user, id: base64urlToBytes(user.id) },
    ...(exclude ? { excludeCredentials: exclude } : {}),
  };
}

/** PublicKeyCredentialRequestOptionsJSON → what navigator.credentials.get takes. */
export function requestOptionsFromJson(json: Json): PublicKeyCredentialRequestOptions {
  const allow = descriptors(json.allowCredentials);
  const options: PublicKeyCredentialRequestOptions = {
    ...(json as unknown as PublicKeyCredentialRequestOptions),
    challenge: base64urlToBytes(json.challenge as string),
  };
  if (allow && allow.length) options.allowCredentials = allow;
  else delete (options as { allowCredentials?: unknown }).allowCredentials;
  return options;
}

/** A new credential as JSON (RegistrationResponseJSON). */
export function registrationToJson(credential: PublicKeyCredential): Json {
  const response = credential.response as AuthenticatorAttestationResponse;
  return {
    id: credential.id,
    rawId: bytesToBase64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: bytesToBase64url(response.clientDataJSON),
      attestationObject: bytesToBase64url(response.attestationObject),
      transports: typeof response.getTransports === "function" ? response.getTransports() : [],
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
  };
}

/** An assertion as JSON (AuthenticationResponseJSON). */
export function assertionToJson(credential: PublicKeyCredential): Json {
  const response = credential.response as AuthenticatorAssertionResponse;
  return {
    id: credential.id,
    rawId: bytesToBase64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: bytesToBase64url(response.clientDataJSON),
      authenticatorData: bytesToBase64url(response.authenticatorData),
      signature: bytesToBase64url(response.signature),
      ...(response.userHandle ? { userHandle: bytesToBase64url(response.userHandle) } : {}),
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}

/** Whether this browser can use passkeys at all (WebAuthn in a secure context). */
export function passkeysSupported(): boolean {
  return typeof window !== "undefined" && window.isSecureContext && typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
}

/** Asks the authenticator for a new passkey with the server's creation options; the credential JSON for register/complete. */
export async function createPasskey(publicKey: unknown): Promise<Json> {
  const credential = await navigator.credentials.create({ publicKey: creationOptionsFromJson(publicKey as Json) });
  if (!credential) throw new DOMException("No credential", "NotAllowedError");
  return registrationToJson(credential as PublicKeyCredential);
}

/** Asks the authenticator to sign the server's challenge; the assertion JSON for passkey sign-in or the second factor. */
export async function getPasskey(publicKey: unknown): Promise<Json> {
  const credential = await navigator.credentials.get({ publicKey: requestOptionsFromJson(publicKey as Json) });
  if (!credential) throw new DOMException("No credential", "NotAllowedError");
  return assertionToJson(credential as PublicKeyCredential);
}

/** Words for a passkey ceremony that failed, in the browser or at the server. */
export function passkeyError(err: unknown): string {
  if (err instanceof DOMException) {
    if (err.name === "NotAllowedError" || err.name === "AbortError") return i18n.t("auth:passkeyCancelled");
    if (err.name === "InvalidStateError") return i18n.t("auth:passkeyAlreadyOnDevice");
    if (err.name === "SecurityError" || err.name === "NotSupportedError") return i18n.t("auth:passkeyUnsupported");
  }
  if (err instanceof ApiError) {
    switch (err.code) {
      case "passkey_rejected":
        return i18n.t("auth:passkeyRejected");
      case "webauthn_challenge_invalid":
        return i18n.t("auth:passkeyExpired");
      case "passkey_already_registered":
        return i18n.t("auth:passkeyAlreadyRegistered");
      case "invalid_credentials":
        return i18n.t("auth:wrongPassword");
      case "invalid_mfa_code":
        return i18n.t("auth:passkeyRejected");
      case "login_backoff":
        return err.retryAfterSeconds ? i18n.t("auth:tooManyAttemptsIn", { count: err.retryAfterSeconds }) : i18n.t("auth:tooManyAttempts");
      case "validation_failed":
        return Object.values(err.fieldErrors)[0]?.[0] ?? describeError(err);
    }
  }
  return describeError(err);
}
