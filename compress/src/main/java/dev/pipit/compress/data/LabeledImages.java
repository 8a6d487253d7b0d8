package dev.pipit.compress.data;

import java.util.Arrays;

/**
 * Labelled grey-scale images. Pixels are kept as the file's unsigned bytes (a quarter of the memory of
 * floats) and handed out as floats in [0, 1], row-major, without normalisation. The arrays are taken
 * as given, not copied (the training set is 47 MB); the accessors return copies.
 *
 * @param pixels {@code count * rows * cols} unsigned bytes
 * @param labels one class index per image, each in [0, classes)
 * @param rows image height
 * @param cols image width
 * @param classes number of classes
 */
public record LabeledImages(byte[] pixels, byte[] labels, int rows, int cols, int classes) {

    public LabeledImages {
        if (rows < 1 || cols < 1 || classes < 1) {
            throw new IllegalArgumentException("rows, cols and classes must be positive");
        }
        if ((long) labels.length * rows * cols != pixels.length) {
            throw new IllegalArgumentException(labels.length + " labels do not match " + pixels.length
                    + " pixels of " + rows + "x" + cols + " images");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " of image " + i + " is outside [0, "
                        + classes + ")");
            }
        }
    }

    public int count() {
        return labels.length;
    }

    /** Elements of one image. */
    public int imageSize() {
        return rows * cols;
    }

    public int label(int index) {
        return labels[index];
    }

    /** One image as floats in [0, 1]. */
    public float[] image(int index) {
        float[] out = new float[imageSize()];
        copyImages(index, 1, out, 0);
        return out;
    }

    /** Writes images {@code [from, from + n)} as floats in [0, 1] into {@code dest} at {@code offset}. */
    public void copyImages(int from, int n, float[] dest, int offset) {
        int size = imageSize();
        for (int k = 0; k < n; k++) {
            copyImage(from + k, dest, offset + k * size);
        }
    }

    /** Writes one image as floats in [0, 1] into {@code dest} at {@code offset}. */
    public void copyImage(int index, float[] dest, int offset) {
        int size = imageSize();
        int base = index * size;
        for (int p = 0; p < size; p++) {
            dest[offset + p] = (pixels[base + p] & 0xff) * (1f / 255f);
        }
    }

    /** Images {@code [from, from + n)} as their own set (copies; for tests and calibration). */
    public LabeledImages slice(int from, int n) {
        if (from < 0 || n < 1 || from + n > count()) {
            throw new IllegalArgumentException("slice [" + from + ", " + (from + n) + ") is outside " + count() + " images");
        }
        int size = imageSize();
        return new LabeledImages(Arrays.copyOfRange(pixels, from * size, (from + n) * size),
                Arrays.copyOfRange(labels, from, from + n), rows, cols, classes);
    }

    @Override
    public byte[] pixels() {
        return pixels.clone();
    }

    @Override
    public byte[] labels() {
        return labels.clone();
    }
}
