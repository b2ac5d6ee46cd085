package dev.idleledger.generate;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Parquet with the archive schema of CONTRACTS.md §1.1 (timestamp as UTC millis, metric, value, labels map),
 * written straight through parquet-hadoop's record consumer — no Spark, and label strings encoded once per
 * series rather than once per row.
 */
final class ParquetSeriesSink implements SeriesSink {
  static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          """
      message prometheus_sample {
        required int64 timestamp (TIMESTAMP(MILLIS,true));
        required binary metric (STRING);
        required double value;
        required group labels (MAP) {
          repeated group key_value {
            required binary key (STRING);
            required binary value (STRING);
          }
        }
      }""");
  private static final Configuration HADOOP = new Configuration(false);

  /** One row, reused: the writer consumes it synchronously. */
  private static final class Row {
    long timestamp;
    Binary metric;
    double value;
    Binary[] labels;
  }

  private final ParquetWriter<Row> writer;
  private final Row row = new Row();
  private final Map<String, Binary> metrics = new HashMap<>();
  private final Map<Series, Binary[]> labels = new IdentityHashMap<>();
  private long rows;

  ParquetSeriesSink(Path file) throws IOException {
    this.writer =
        new Builder(new LocalOutputFile(file))
            .withConf(HADOOP)
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withRowGroupSize(64L << 20)
            .withDictionaryEncoding(true)
            .build();
  }

  @Override
  public void write(long timestampMs, String metric, double value, Series series)
      throws IOException {
    row.timestamp = timestampMs;
    row.metric = metrics.computeIfAbsent(metric, Binary::fromString);
    row.value = value;
    row.labels = labels.computeIfAbsent(series, ParquetSeriesSink::encode);
    writer.write(row);
    rows++;
  }

  private static Binary[] encode(Series series) {
    Binary[] kv = new Binary[series.labels().size() * 2];
    int i = 0;
    for (var e : series.labels().entrySet()) {
      kv[i++] = Binary.fromString(e.getKey());
      kv[i++] = Binary.fromString(e.getValue());
    }
    return kv;
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }

  private static final class RowWriteSupport extends WriteSupport<Row> {
    private RecordConsumer consumer;

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(SCHEMA, Map.of("writer.model.name", "idle-ledger-generate"));
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.consumer = recordConsumer;
    }

    @Override
    public void write(Row r) {
      RecordConsumer c = consumer;
      c.startMessage();
      c.startField("timestamp", 0);
      c.addLong(r.timestamp);
      c.endField("timestamp", 0);
      c.startField("metric", 1);
      c.addBinary(r.metric);
      c.endField("metric", 1);
      c.startField("value", 2);
      c.addDouble(r.value);
      c.endField("value", 2);
      c.startField("labels", 3);
      c.startGroup();
      if (r.labels.length > 0) {
        c.startField("key_value", 0);
        for (int i = 0; i < r.labels.length; i += 2) {
          c.startGroup();
          c.startField("key", 0);
          c.addBinary(r.labels[i]);
          c.endField("key", 0);
          c.startField("value", 1);
          c.addBinary(r.labels[i + 1]);
          c.endField("value", 1);
          c.endGroup();
        }
        c.endField("key_value", 0);
      }
      c.endGroup();
      c.endField("labels", 3);
      c.endMessage();
    }
  }

  private static final class Builder extends ParquetWriter.Builder<Row, Builder> {
    Builder(OutputFile file) {
      super(file);
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(Configuration conf) {
      return new RowWriteSupport();
    }
  }

  /** A plain local file as a Parquet OutputFile (Hadoop's local FS would add .crc side files). */
  private record LocalOutputFile(Path path) implements OutputFile {
    @Override
    public PositionOutputStream create(long blockSizeHint) throws IOException {
      return open(StandardOpenOption.CREATE_NEW);
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
      return open(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private PositionOutputStream open(StandardOpenOption... options) throws IOException {
      OutputStream out =
          new BufferedOutputStream(Files.newOutputStream(path, withWrite(options)), 1 << 16);
      return new PositionOutputStream() {
        private long pos;

        @Override
        public long getPos() {
          return pos;
        }

        @Override
        public void write(int b) throws IOException {
          out.write(b);
          pos++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
          pos += len;
        }

        @Override
        public void flush() throws IOException {
          out.flush();
        }

        @Override
        public void close() throws IOException {
          out.close();
        }
      };
    }

    private static StandardOpenOption[] withWrite(StandardOpenOption[] options) {
      StandardOpenOption[] all = Arrays.copyOf(options, options.length + 1);
      all[options.length] = StandardOpenOption.WRITE;
      return all;
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }

    @Override
    public String getPath() {
      return path.toString();
    }
  }
}
