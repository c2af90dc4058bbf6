/**
 * ARCHITECTURE "Call": the two NATS headers of an internal hop, `Hop-Token` (the internal token)
 * and `Hop-Proof` (the compact JWS signed with the sender's certificate key). NATS header names are
 * case-sensitive on the wire; the receiving side reads every case of them (H1 counts all values).
 */
export const HOP_TOKEN_HEADER = 'Hop-Token';
export const HOP_PROOF_HEADER = 'Hop-Proof';
