package dev.idleledger.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped instance catalog: the shapes real fleets bill, named as bills and nodes spell them. */
class InstanceCatalogTest {
  private static final InstanceCatalog CATALOG = InstanceCatalog.load(ConfigLoader.defaultsOnly());

  @TempDir Path dir;

  @Test
  void everyCurrentGpuFamilyOfTheThreeCloudsIsThereWithItsGpus() {
    // type, GPUs, dcgm modelName: the provider's published shape of each family's sizes
    Object[][] shapes = {
      {"p3.2xlarge", 1, "Tesla V100-SXM2-16GB"},
      {"p3dn.24xlarge", 8, "Tesla V100-SXM2-32GB"},
      {"p4d.24xlarge", 8, "NVIDIA A100-SXM4-40GB"},
      {"p4de.24xlarge", 8, "NVIDIA A100-SXM4-80GB"},
      {"p5.4xlarge", 1, "NVIDIA H100 80GB HBM3"},
      {"p5.48xlarge", 8, "NVIDIA H100 80GB HBM3"},
      {"p5e.48xlarge", 8, "NVIDIA H200"},
      {"p5en.48xlarge", 8, "NVIDIA H200"},
      {"p6-b200.48xlarge", 8, "NVIDIA B200"},
      {"p6e-gb200.36xlarge", 4, "NVIDIA GB200"},
      {"g3s.xlarge", 1, "Tesla M60"},
      {"g3.16xlarge", 4, "Tesla M60"},
      {"g4dn.metal", 8, "Tesla T4"},
      {"g4ad.8xlarge", 2, "AMD Radeon Pro V520"},
      {"g5.48xlarge", 8, "NVIDIA A10G"},
      {"g5g.16xlarge", 2, "NVIDIA T4G"},
      {"g6.48xlarge", 8, "NVIDIA L4"},
      {"g6e.12xlarge", 4, "NVIDIA L40S"},
      {"gr6.8xlarge", 1, "NVIDIA L4"},
      {"Standard_NC24ads_A100_v4", 1, "NVIDIA A100 80GB PCIe"},
      {"Standard_NC80adis_H100_v5", 2, "NVIDIA H100 NVL"},
      {"Standard_ND96asr_v4", 8, "NVIDIA A100-SXM4-40GB"},
      {"Standard_ND96isr_H100_v5", 8, "NVIDIA H100 80GB HBM3"},
      {"Standard_NC64as_T4_v3", 4, "Tesla T4"},
      {"Standard_NV72ads_A10_v5", 2, "NVIDIA A10-24Q"},
      {"a2-highgpu-1g", 1, "NVIDIA A100-SXM4-40GB"},
      {"a2-megagpu-16g", 16, "NVIDIA A100-SXM4-40GB"},
      {"a2-ultragpu-8g", 8, "NVIDIA A100-SXM4-80GB"},
      {"a3-highgpu-8g", 8, "NVIDIA H100 80GB HBM3"},
      {"a3-ultragpu-8g", 8, "NVIDIA H200"},
      {"g2-standard-48", 4, "NVIDIA L4"}
    };
    for (Object[] s : shapes) {
      InstanceCatalog.InstanceType t =
          CATALOG
              .instanceType((String) s[0])
              .orElseThrow(() -> new AssertionError(s[0] + " missing"));
      assertEquals(s[1], t.gpus(), s[0] + " GPUs");
      assertEquals(s[2], t.gpuModel(), s[0] + " GPU model");
    }
    assertEquals(
        8,
        CATALOG.instanceTypes().stream().filter(t -> t.instanceType().startsWith("g5.")).count(),
        "g5 in all sizes");
    assertEquals(
        8,
        CATALOG.instanceTypes().stream().filter(t -> t.instanceType().startsWith("g6e.")).count(),
        "g6e in all sizes");
  }

  @Test
  void azureSizesMatchAsNodesResourcesAndMetersSpellThem() {
    InstanceCatalog.InstanceType t = CATALOG.instanceType("Standard_NC24ads_A100_v4").orElseThrow();
    for (String spelling :
        List.of(
            "standard_nc24ads_a100_v4",
            "NC24ads_A100_v4",
            "NC24ads A100 v4",
            "NC24ads A100 v4 Spot",
            "NC24ads A100 v4 Low Priority",
            " Standard_NC24ads_A100_v4 ")) {
      assertEquals(t, CATALOG.instanceType(spelling).orElse(null), spelling);
    }
    assertEquals(
        CATALOG.instanceType("p5.48xlarge"),
        CATALOG.instanceType("P5.48XLARGE"),
        "AWS names only change case");
    assertTrue(CATALOG.instanceType("m5.large").isEmpty());
  }

  @Test
  void aPartialGpuIsOneDeviceWithItsShareOfTheGpuAndItsFramebuffer() {
    InstanceCatalog.InstanceType sixth =
        CATALOG.instanceType("Standard_NV6ads_A10_v5").orElseThrow();
    assertEquals(
        1, sixth.gpus(), "the VM sees one (virtual) GPU: its whole GPU cost lands on that device");
    assertEquals(1.0 / 6, sixth.gpuFraction(), 1e-5);
    assertEquals(4096, sixth.gpuMemoryMib(), "a sixth of the A10's 24 GiB");
    assertEquals(0.5, CATALOG.instanceType("g6f.4xlarge").orElseThrow().gpuFraction(), 1e-12);
    assertEquals(1.0, CATALOG.instanceType("p5.48xlarge").orElseThrow().gpuFraction(), 1e-12);
  }

  @Test
  void migSlicesAreSevenForA100H100H200B200AndNoneForGpusWithoutMig() {
    for (String model :
        List.of(
            "NVIDIA A100-SXM4-40GB",
            "NVIDIA A100 80GB PCIe",
            "NVIDIA H100 80GB HBM3",
            "NVIDIA H100 NVL",
            "NVIDIA H200",
            "NVIDIA B200")) {
      assertEquals(7, CATALOG.migSlices(model), model);
    }
    for (String model :
        List.of("NVIDIA L4", "NVIDIA L40S", "NVIDIA A10G", "Tesla T4", "Tesla V100-SXM2-16GB")) {
      assertEquals(0, CATALOG.migSlices(model), model);
    }
    assertEquals("1g.18gb", CATALOG.migProfiles("NVIDIA H200").get(0).profile());
    assertEquals(
        7,
        CATALOG
            .migProfiles("NVIDIA B200")
            .get(CATALOG.migProfiles("NVIDIA B200").size() - 1)
            .computeSlices());
  }

  @Test
  void aPriceSaysItsRegionAndDateAndATypeWithoutPublicPriceHasNone() {
    InstanceCatalog.InstanceType p5en = CATALOG.instanceType("p5en.48xlarge").orElseThrow();
    assertEquals(63.296, p5en.onDemandHourly(), 1e-9);
    assertEquals("us-east-1", p5en.priceRegion());
    assertEquals("2026-01-19", p5en.priceDate());
    InstanceCatalog.InstanceType p5e = CATALOG.instanceType("p5e.48xlarge").orElseThrow();
    assertNull(p5e.onDemandHourly(), "p5e is sold as capacity blocks: no on-demand list price");
    assertNull(p5e.priceRegion());
    for (InstanceCatalog.InstanceType t : CATALOG.instanceTypes()) {
      assertEquals(
          t.onDemandHourly() == null,
          t.priceDate() == null,
          t.instanceType() + ": a price has a date, no price has none");
      assertFalse(t.provider().isEmpty(), t.instanceType() + " provider");
    }
  }

  @Test
  void aCatalogWithOnlyTheOriginalColumnsStillLoads() throws IOException {
    write(
        "types.csv",
        "instance_type,gpu_model,gpus,gpu_memory_mib,vcpu,memory_gib,mig_slices,on_demand_hourly\n"
            + "x1.gpu,NVIDIA X,2,1000,8,32,0,1.5\n");
    InstanceCatalog c = InstanceCatalog.load(new ConfResource(dir, "types.csv"), migs());
    InstanceCatalog.InstanceType t = c.instanceType("x1.gpu").orElseThrow();
    assertEquals(1.5, t.onDemandHourly(), 1e-12);
    assertEquals(1.0, t.gpuFraction(), 1e-12);
    assertNull(t.priceDate());
  }

  @Test
  void twoRowsForOneInstanceTypeAreRefusedBeforeTheyDoubleItsMoney() throws IOException {
    write(
        "types.csv",
        "instance_type,gpu_model,gpus,gpu_memory_mib,vcpu,memory_gib,mig_slices,on_demand_hourly\n"
            + "Standard_NC4as_T4_v3,Tesla T4,1,15360,4,28,0,\nNC4as_T4_v3,Tesla T4,1,15360,4,28,0,\n");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> InstanceCatalog.load(new ConfResource(dir, "types.csv"), migs()));
    assertTrue(e.getMessage().contains("NC4as_T4_v3"), e.getMessage());
  }

  @Test
  void gpuFamilyNamesAreRecognisedOnlyForGpuFamilies() {
    for (String gpu :
        List.of(
            "p6-b300.48xlarge",
            "p7.48xlarge",
            "g7e.2xlarge",
            "gr6f.4xlarge",
            "Standard_ND128isr_NDR_GB200_v6",
            "NC24ads A100 v4",
            "a4-highgpu-8g",
            "g2-standard-4")) {
      assertTrue(InstanceCatalog.looksLikeGpuFamily(gpu), gpu);
    }
    for (String cpu :
        List.of(
            "m5.large",
            "c7i.48xlarge",
            "t4g.large",
            "Standard_D4s_v5",
            "n2-standard-8",
            "e2-standard-4")) {
      assertFalse(InstanceCatalog.looksLikeGpuFamily(cpu), cpu);
    }
  }

  private ConfResource migs() throws IOException {
    write("migs.csv", "gpu_model,profile,compute_slices,memory_mib\n");
    return new ConfResource(dir, "migs.csv");
  }

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }
}
