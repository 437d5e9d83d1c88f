/**
 * The client reads: history pages, a conversation's events and members, the conversation list with
 * unread counts ({@code GET /v1/conversations/...}), all from the tables the write path projects.
 */
package io.messenger.history.read;
