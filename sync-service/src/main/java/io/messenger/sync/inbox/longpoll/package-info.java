/**
 * Parked long-polls: the per-instance registry of waiters and the subscription to the inbox news
 * (plain pub/sub, or sharded pub/sub on a Redis Cluster) that wakes them.
 */
package io.messenger.sync.inbox.longpoll;
