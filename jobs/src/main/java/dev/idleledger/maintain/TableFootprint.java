package dev.idleledger.maintain;

/**
 * How much of a table there is: the data files its current version reads ({@code live}) and every data file in
 * its folder, including those replaced by later versions that time travel may still read ({@code stored}).
 * OPTIMIZE shrinks the first; VACUUM the second, once replaced files are older than the retention.
 */
public record TableFootprint(
    String table, long liveFiles, long liveBytes, long storedFiles, long storedBytes) {}
