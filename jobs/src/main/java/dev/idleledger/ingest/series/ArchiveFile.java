package dev.idleledger.ingest.series;

import java.io.Serializable;

/**
 * One raw file to read for a date. {@code nextDay} marks files of folder {@code dt=D+1}: only their samples
 * timestamped in D count for D (the stragglers); the rest belong to D+1's run.
 */
public record ArchiveFile(String path, SeriesEncoding encoding, boolean nextDay)
    implements Serializable {}
