/**
 * The conversation list's per-user activity index: moved by every event and member change (through
 * the interfaces {@code write} and {@code conversation} own), read a page at a time by {@code
 * read}.
 */
package io.messenger.history.activity;
