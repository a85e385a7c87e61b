package io.zoobench.jobs.tables;

import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.encryption.EncryptionManager;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.LocationProvider;

/**
 * The {@code runs} table's operations for the commits only a lock holder may make (publishing
 * a runs row, renewing or releasing its lease): a commit goes through only when the metadata it
 * was built on still names this attempt as the lease holder. The catalog's commit is a
 * compare-and-swap on that same metadata, so check and commit are one atomic step: a writer
 * paused past its lease whose lock another writer broke (changing the lease) can no longer
 * commit, however long it slept. Iceberg's retry of a conflicting commit refreshes the
 * metadata and comes back here, so the check is made again on every retry.
 */
final class FencedOperations implements TableOperations {
  private final TableOperations ops;
  private final String leaseKey;
  private final String attemptId;

  /** Thrown when the metadata no longer names the attempt as the lease holder. */
  static final class LeaseLost extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String holder;

    LeaseLost(String holder) {
      super("the lease is held by " + (holder == null ? "nobody" : holder));
      this.holder = holder;
    }

    /** The lease's value when the commit was refused (the new holder's), or null. */
    String holder() {
      return holder;
    }
  }

  FencedOperations(TableOperations ops, String leaseKey, String attemptId) {
    this.ops = ops;
    this.leaseKey = leaseKey;
    this.attemptId = attemptId;
  }

  /** Whether {@code metadata} names the attempt as the holder of the lease. */
  boolean holds(TableMetadata metadata) {
    String lease = metadata == null ? null : metadata.properties().get(leaseKey);
    return lease != null && lease.startsWith(attemptId + " ");
  }

  @Override
  public void commit(TableMetadata base, TableMetadata metadata) {
    if (!holds(base)) {
      throw new LeaseLost(base == null ? null : base.properties().get(leaseKey));
    }
    ops.commit(base, metadata);
  }

  @Override
  public TableMetadata current() {
    return ops.current();
  }

  @Override
  public TableMetadata refresh() {
    return ops.refresh();
  }

  @Override
  public FileIO io() {
    return ops.io();
  }

  @Override
  public EncryptionManager encryption() {
    return ops.encryption();
  }

  @Override
  public String metadataFileLocation(String fileName) {
    return ops.metadataFileLocation(fileName);
  }

  @Override
  public LocationProvider locationProvider() {
    return ops.locationProvider();
  }

  @Override
  public TableOperations temp(TableMetadata uncommittedMetadata) {
    return ops.temp(uncommittedMetadata);
  }

  @Override
  public long newSnapshotId() {
    return ops.newSnapshotId();
  }

  @Override
  public boolean requireStrictCleanup() {
    return ops.requireStrictCleanup();
  }
}
