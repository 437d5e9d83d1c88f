/**
 * Large groups (read diffusion): one shared stream per group instead of an entry in every member's
 * inbox; pulls carry their news as {@code largeGroups} (docs/large-groups.md).
 */
package io.messenger.sync.largegroup;
