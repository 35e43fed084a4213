package dev.tollgate.config;

import java.math.BigDecimal;
import java.util.Optional;

/** USD per million tokens, as providers publish them. */
public record PriceConfig(BigDecimal inputPerMtok, BigDecimal outputPerMtok, Optional<BigDecimal> cachedInputPerMtok) {}
