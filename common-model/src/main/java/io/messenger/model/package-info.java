/** The message, operation and notification model shared by the sync and history services. */
package io.messenger.model;
