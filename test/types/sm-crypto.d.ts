/** The parts of sm-crypto (an independent SM2/SM3 implementation in JavaScript) the interop tests use. */
declare module 'sm-crypto' {
  interface Sm2Options {
    /** Hash with SM3 over Z ‖ M (the standard signature); without it the message is signed as given. */
    hash?: boolean;
    /** DER-encoded signatures; without it r ‖ s in hex. */
    der?: boolean;
    /** The SM2 user ID in Z (default 1234567812345678). */
    userId?: string;
    /** The signer's public key (hex 04 ‖ x ‖ y), else computed from the private key. */
    publicKey?: string;
  }
  export const sm2: {
    doSignature(message: string | number[], privateKeyHex: string, options?: Sm2Options): string;
    doVerifySignature(
      message: string | number[],
      signatureHex: string,
      publicKeyHex: string,
      options?: Sm2Options,
    ): boolean;
    generateKeyPairHex(): { privateKey: string; publicKey: string };
  };
  const smCrypto: { sm2: typeof sm2 };
  export default smCrypto;
}
