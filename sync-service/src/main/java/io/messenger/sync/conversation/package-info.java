/**
 * The write path of a client: conversations, members, messages and operations. Validates, makes the
 * write durable in the history-service, then fans it out to inboxes (docs/architecture.md, "The
 * path of a send").
 */
package io.messenger.sync.conversation;
