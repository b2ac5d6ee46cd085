package dev.idleledger.maintain;

import dev.idleledger.config.ConfigChecks;
import dev.idleledger.config.ConfigException;
import dev.idleledger.config.LedgerConfig;
import dev.idleledger.spark.LakeTableProperties;

/** The {@code maintain} section of config: how long VACUUM keeps replaced files, how many recent dates OPTIMIZE compacts. */
public record MaintainSettings(int vacuumRetentionHours, int recentDays) {
  public static MaintainSettings from(LedgerConfig config) {
    int retention = config.raw().getInt("maintain.vacuum_retention_hours");
    // Delta refuses a VACUUM shorter than the table's deleted-file retention (7 days) unless its
    // safety check is turned off; a shorter one would delete files a running reader or a
    // time-travel query still needs.
    if (retention < LakeTableProperties.MIN_VACUUM_RETENTION_HOURS) {
      throw new ConfigException(
          "maintain.vacuum_retention_hours: "
              + retention
              + " is below Delta's safety check of "
              + LakeTableProperties.MIN_VACUUM_RETENTION_HOURS
              + " hours (7 days); set "
              + LakeTableProperties.MIN_VACUUM_RETENTION_HOURS
              + " or more");
    }
    int recent = ConfigChecks.positiveInt(config.raw(), "maintain.recent_days");
    return new MaintainSettings(retention, recent);
  }
}
