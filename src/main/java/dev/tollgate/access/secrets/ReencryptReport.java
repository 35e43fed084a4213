package dev.tollgate.access.secrets;

import java.util.List;

/**
 * What a {@link ProviderSecrets#reencrypt} run did.
 *
 * @param keyId the key every rewritten row is now under
 * @param scanned rows read
 * @param rewritten rows re-encrypted under {@code keyId}
 * @param alreadyCurrent rows that were under {@code keyId} already (all of them on a re-run)
 * @param changedMeanwhile rows whose value was set while the run held them; left as written (a re-run
 *     picks them up if that writer used another key)
 * @param failures one line per row that could not be decrypted ({@code provider/field: why}); those
 *     rows are left untouched
 */
public record ReencryptReport(String keyId, int scanned, int rewritten, int alreadyCurrent, int changedMeanwhile,
    List<String> failures) {

  public ReencryptReport {
    failures = List.copyOf(failures);
  }

  /** True when every row is now readable under the current key list. */
  public boolean complete() {
    return failures.isEmpty();
  }
}
