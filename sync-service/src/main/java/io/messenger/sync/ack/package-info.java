/**
 * {@code POST /v1/sync/ack}: a device acknowledges its inbox up to a cursor; acks are coalesced in
 * memory and flushed to the inbox store in batches ({@link io.messenger.sync.ack.AckCoalescer}).
 */
package io.messenger.sync.ack;
