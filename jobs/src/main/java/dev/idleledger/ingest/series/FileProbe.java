package dev.idleledger.ingest.series;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Checks each file before Spark reads it, so that one corrupt file becomes one quarantine row instead of a
 * failed job (or, with {@code ignoreCorruptFiles}, silently half-read rows). It also returns what the Spark
 * reader needs to know per file: a CSV's header line, a Parquet file's schema, a Prometheus text file's
 * {@link PromDialect} — files are read in groups of equal layout.
 *
 * <p>Cost: a Parquet file costs one footer read; a plain text file its first line (Prometheus text: up to its
 * first timestamped sample); a gzip file one
 * decompression pass (a truncated gzip can only be told by reaching its end). The probe runs as a Spark job,
 * one task per file, so it is spread over the executors like the read itself.
 */
public final class FileProbe {
  /** What the probe found: {@code error} non-null = the file is unusable as a whole. */
  public record Result(ArchiveFile file, String error, String layout) implements Serializable {}

  static final String EMPTY_FILE =
      "empty file (0 bytes): nothing to read; re-export it or remove it";

  private FileProbe() {}

  public static List<Result> probe(SparkSession spark, List<ArchiveFile> files) {
    if (files.isEmpty()) {
      return List.of();
    }
    SerializableConfiguration conf =
        new SerializableConfiguration(spark.sparkContext().hadoopConfiguration());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return jsc.parallelize(files, Math.min(files.size(), Math.max(1, jsc.defaultParallelism() * 4)))
        .map(f -> probeOne(conf, f))
        .collect();
  }

  static Result probeOne(SerializableConfiguration conf, ArchiveFile f) {
    Path path = new Path(f.path());
    try {
      FileSystem fs = path.getFileSystem(conf.value());
      if (fs.getFileStatus(path).getLen() == 0) {
        // An archiver that died before writing anything: not even a header or a Parquet footer to
        // say what it held.
        return new Result(f, EMPTY_FILE, null);
      }
      if (f.encoding() == SeriesEncoding.PARQUET) {
        try (ParquetFileReader r =
            ParquetFileReader.open(HadoopInputFile.fromPath(path, conf.value()))) {
          MessageType schema = r.getFooter().getFileMetaData().getSchema();
          // First line: the top-level column names (checked by the reader); then the full schema
          // (the group key).
          String names =
              schema.getFields().stream().map(Type::getName).collect(Collectors.joining(","));
          String typeError = ParquetSampleSchema.typeError(schema);
          return typeError != null
              ? new Result(f, typeError, null)
              : new Result(f, null, names + "\n" + schema);
        } catch (IOException | RuntimeException e) {
          return new Result(f, "truncated or corrupt Parquet file: " + message(e), null);
        }
      }
      boolean gz = SeriesEncoding.gzipped(path.getName());
      try (FSDataInputStream raw = fs.open(path);
          InputStream in = gz ? new GZIPInputStream(raw, 1 << 16) : raw;
          BufferedReader lines =
              new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
        // Text files are grouped by their first line: a CSV's header, or the dialect of a
        // Prometheus text file.
        String layout;
        if (f.encoding() == SeriesEncoding.PROM) {
          layout = PromDialect.detect(lines).name();
        } else {
          String first = lines.readLine();
          // A byte order mark (Excel, some Windows archivers) is not part of the first column's
          // name.
          layout = first == null ? "" : first.startsWith("\uFEFF") ? first.substring(1) : first;
        }
        if (gz) {
          // Read to the end: the CRC and length trailer is the only proof that the gzip is whole.
          char[] sink = new char[1 << 16];
          while (lines.read(sink) >= 0) {
            // discard
          }
        }
        return new Result(f, null, layout);
      } catch (IOException | RuntimeException e) {
        return new Result(f, (gz ? "corrupt gzip: " : "unreadable file: ") + message(e), null);
      }
    } catch (IOException e) {
      return new Result(f, "unreadable file: " + message(e), null);
    }
  }

  private static String message(Throwable e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
