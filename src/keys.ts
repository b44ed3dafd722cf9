import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** Creates a random key: 33 bytes, 44 characters of base64url, the length WordPress sites store. */
export const generateKey = () => randomBytes(33).toString('base64url')

/** Hashes a key for storage. Keys are random and long, so a fast hash is enough. */
export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex')

/** Compares a presented key with a stored hash in constant time. */
export function keyMatches(key: string, keyHash: string): boolean {
  const presented = createHash('sha256').update(key).digest()
  const stored = Buffer.from(keyHash, 'hex')
  return stored.length === presented.length && timingSafeEqual(presented, stored)
}
