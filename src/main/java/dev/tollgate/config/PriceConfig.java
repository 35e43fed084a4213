package dev.tollgate.config;

import java.math.BigDecimal;
import java.util.Optional;

/** USD per million tokens, as providers publish them. */
public record PriceConfig(BigDecimal inputPerMtok, BigDecimal outputPerMtok, Optional<BigDecimal> cachedInputPerMtok,
    Optional<BigDecimal> cacheWritePerMtok, Optional<BigDecimal> perRequest) {

  /** A price without its own cache-write rate (cache writes cost what input costs) and no per-call fee. */
  public PriceConfig(BigDecimal inputPerMtok, BigDecimal outputPerMtok, Optional<BigDecimal> cachedInputPerMtok) {
    this(inputPerMtok, outputPerMtok, cachedInputPerMtok, Optional.empty(), Optional.empty());
  }
}
