package dev.idleledger.ingest.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idleledger.RunFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code <export>-Manifest.json} AWS Data Exports writes to {@code metadata/BILLING_PERIOD=YYYY-MM/} after
 * every delivery: the export's columns, the billing period, and in {@code dataFiles} the full {@code s3://} URIs of
 * the files of that delivery — the only files that make up the period's bill. Of its fields only
 * {@code dataFiles} is needed ({@code executionId} names the delivery in messages); the others are ignored.
 */
record DataExportManifest(String path, String executionId, List<String> dataFiles) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static DataExportManifest parse(String path, InputStream in) {
    JsonNode root;
    try {
      root = JSON.readTree(in);
    } catch (IOException e) {
      throw new RunFailedException(
          "billing export manifest " + path + " is not JSON: " + firstLine(e.getMessage()), e);
    }
    JsonNode files = root == null ? null : root.get("dataFiles");
    if (files == null || !files.isArray()) {
      throw new RunFailedException("billing export manifest " + path + " has no dataFiles list");
    }
    List<String> dataFiles = new ArrayList<>();
    for (JsonNode f : files) {
      if (!f.isTextual() || f.asText().isBlank()) {
        throw new RunFailedException(
            "billing export manifest " + path + " lists a data file that is not a path: " + f);
      }
      dataFiles.add(f.asText().trim());
    }
    JsonNode execution = root.get("executionId");
    return new DataExportManifest(
        path,
        execution == null || execution.isNull() ? null : execution.asText(),
        List.copyOf(dataFiles));
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
