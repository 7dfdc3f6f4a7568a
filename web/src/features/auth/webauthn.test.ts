import { describe, expect, it } from "vitest";
import { base64urlToBytes, bytesToBase64url, creationOptionsFromJson, requestOptionsFromJson } from "./webauthn";

describe("passkey JSON helpers", () => {
  it("round-trips base64url without padding, including the URL-safe characters", () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf, 0x00, 0x01]);
    const text = bytesToBase64url(bytes);
    expect(text).toBe("-_-_AAE");
    expect(Array.from(base64urlToBytes(text))).toEqual(Array.from(bytes));
    expect(Array.from(base64urlToBytes("AQ"))).toEqual([1]);
  });

  it("turns the server's creation options into binary where WebAuthn wants it and keeps the rest", () => {
    const options = creationOptionsFromJson({
      rp: { id: "chat.example.org", name: "Voxora" },
      user: { id: "dXNyXzE", name: "ana", displayName: "Ana" },
      challenge: "AAEC",
      pubKeyCredParams: [{ type: "public-key", alg: -7 }],
      authenticatorSelection: { residentKey: "required", userVerification: "required" },
      excludeCredentials: [{ type: "public-key", id: "AQID", transports: ["internal"] }],
    });
    expect(Array.from(new Uint8Array(options.challenge as ArrayBuffer))).toEqual([0, 1, 2]);
    expect(new TextDecoder().decode(options.user.id as Uint8Array)).toBe("usr_1");
    expect(options.user.name).toBe("ana");
    expect(Array.from(options.excludeCredentials![0]!.id as Uint8Array)).toEqual([1, 2, 3]);
    expect(options.excludeCredentials![0]!.transports).toEqual(["internal"]);
    expect(options.authenticatorSelection?.userVerification).toBe("required");
    expect(options.rp.id).toBe("chat.example.org");
  });

  it("leaves allowCredentials out of passwordless request options so the authenticator offers its passkeys", () => {
    const passwordless = requestOptionsFromJson({ challenge: "AAEC", rpId: "chat.example.org", allowCredentials: [], userVerification: "required" });
    expect("allowCredentials" in passwordless).toBe(false);
    expect(passwordless.userVerification).toBe("required");
    const secondFactor = requestOptionsFromJson({ challenge: "AAEC", rpId: "chat.example.org", allowCredentials: [{ type: "public-key", id: "AQID" }] });
    expect(Array.from(secondFactor.allowCredentials![0]!.id as Uint8Array)).toEqual([1, 2, 3]);
  });
});
