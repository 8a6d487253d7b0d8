package dev.pipit.compress.train;

import java.util.Arrays;
import java.util.Random;

/**
 * Data augmentation: each image moved by a random whole number of pixels in each direction, at most
 * {@code maxShift}, the uncovered border filled with zero (the background of Fashion-MNIST).
 *
 * @param maxShift largest move in pixels, along each axis
 */
public record RandomShift(int maxShift) {

    public RandomShift {
        if (maxShift < 1) {
            throw new IllegalArgumentException("a shift must be at least one pixel, was " + maxShift);
        }
    }

    /**
     * Shifts the {@code n} images of {@code shape} ({@code [channels, height, width]}) in {@code batch} in
     * place, drawing two numbers per image from {@code random}.
     */
    public void apply(float[] batch, int n, int[] shape, Random random) {
        int channels = shape[0];
        int height = shape[1];
        int width = shape[2];
        if (maxShift >= height || maxShift >= width) {
            throw new IllegalArgumentException("a shift of " + maxShift + " pixels empties " + height + "x" + width + " images");
        }
        float[] moved = new float[height * width];
        for (int b = 0; b < n; b++) {
            int dy = random.nextInt(2 * maxShift + 1) - maxShift;
            int dx = random.nextInt(2 * maxShift + 1) - maxShift;
            for (int c = 0; c < channels; c++) {
                int plane = (b * channels + c) * height * width;
                Arrays.fill(moved, 0f);
                for (int y = Math.max(0, dy); y < Math.min(height, height + dy); y++) {
                    System.arraycopy(batch, plane + (y - dy) * width + Math.max(0, -dx), moved,
                            y * width + Math.max(0, dx), width - Math.abs(dx));
                }
                System.arraycopy(moved, 0, batch, plane, height * width);
            }
        }
    }
}
