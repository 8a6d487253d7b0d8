package dev.pipit.compress.quantize;

/** How an activation tensor's int8 range is chosen from the values seen during calibration. */
public enum CalibrationMethod {
    /** The full observed range: never clips, but one outlier coarsens the grid for all values. */
    MIN_MAX,
    /** The 0.01 % and 99.99 % quantiles: clips the rarest outliers. */
    PERCENTILE,
    /** The clipping range that minimises the mean squared quantization error of the observed values. */
    MSE
}
