/**
 * The offline inbox: its store contract ({@link io.messenger.sync.inbox.InboxStore}) and the Redis
 * store (keys in docs/data-layout.md), the stored wire form of entries, the news each append
 * publishes, and the fan-out ({@link io.messenger.sync.inbox.InboxService#deliver}).
 */
package io.messenger.sync.inbox;
