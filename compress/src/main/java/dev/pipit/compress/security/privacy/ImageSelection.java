package dev.pipit.compress.security.privacy;

import dev.pipit.compress.data.LabeledImages;

/** Picks images of a set by index into a set of their own (without copying the whole source). */
public final class ImageSelection {

    private ImageSelection() {
    }

    public static LabeledImages pick(LabeledImages source, int[] indices) {
        int size = source.imageSize();
        byte[] pixels = new byte[indices.length * size];
        byte[] labels = new byte[indices.length];
        float[] image = new float[size];
        for (int k = 0; k < indices.length; k++) {
            source.copyImage(indices[k], image, 0);
            for (int p = 0; p < size; p++) {
                pixels[k * size + p] = (byte) Math.round(image[p] * 255f); // exact: the pixels were bytes / 255
            }
            labels[k] = (byte) source.label(indices[k]);
        }
        return new LabeledImages(pixels, labels, source.rows(), source.cols(), source.classes());
    }
}
