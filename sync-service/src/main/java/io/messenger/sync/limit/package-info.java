/**
 * Rate limits: 429 {@code rate-limited} with {@code Retry-After} before the handler runs; writes
 * limited per user, pulls and acks per device.
 */
package io.messenger.sync.limit;
