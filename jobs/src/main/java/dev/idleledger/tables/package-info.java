/**
 * Tables written by one stage and read by a package that may not import that stage: {@code recommend} writes
 * {@code recommendations} and {@code recommendation_history}, and {@code tickets}, which knows only that table,
 * reads and updates it. Their specs, column names and the values their columns hold (a recommendation's kind and
 * status) live here, so both sides, and the generator's expected recommendations, name them from one place. Every
 * other table's spec lives with the stage that writes it.
 */
package dev.idleledger.tables;
