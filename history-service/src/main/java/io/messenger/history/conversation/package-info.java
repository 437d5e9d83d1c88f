/**
 * Conversations and their members: creation (direct once per pair, groups once per request id),
 * serialized member changes, and the membership check of every write and read.
 */
package io.messenger.history.conversation;
