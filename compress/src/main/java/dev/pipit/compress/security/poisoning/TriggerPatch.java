package dev.pipit.compress.security.poisoning;

import dev.pipit.compress.data.LabeledImages;
import java.util.ArrayList;
import java.util.List;

/**
 * A square of white pixels one pixel in from a corner: the classic trigger of a patch backdoor (BadNets,
 * Gu et al. 2017), and the candidates the scan stamps.
 *
 * @param size side in pixels
 * @param corner where it sits
 */
public record TriggerPatch(int size, Corner corner) {

    public enum Corner { TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT }

    public TriggerPatch {
        if (size < 1 || corner == null) {
            throw new IllegalArgumentException("a patch needs a positive size and a corner");
        }
    }

    /** Every corner at each of {@code sizes}. */
    public static List<TriggerPatch> candidates(int... sizes) {
        List<TriggerPatch> out = new ArrayList<>();
        for (int s : sizes) {
            for (Corner c : Corner.values()) {
                out.add(new TriggerPatch(s, c));
            }
        }
        return out;
    }

    /** Sets the patch's pixels to 1 in one image of {@code rows × cols} floats at {@code offset}. */
    public void stamp(float[] image, int offset, int rows, int cols) {
        if (size + 2 > rows || size + 2 > cols) {
            throw new IllegalArgumentException("a " + size + "-pixel patch does not fit " + rows + "x" + cols);
        }
        int top = corner == Corner.TOP_LEFT || corner == Corner.TOP_RIGHT ? 1 : rows - 1 - size;
        int left = corner == Corner.TOP_LEFT || corner == Corner.BOTTOM_LEFT ? 1 : cols - 1 - size;
        for (int y = top; y < top + size; y++) {
            for (int x = left; x < left + size; x++) {
                image[offset + y * cols + x] = 1f;
            }
        }
    }

    /** All of {@code images} with the patch, as floats. */
    public float[] stampAll(LabeledImages images) {
        int size = images.imageSize();
        float[] out = new float[images.count() * size];
        images.copyImages(0, images.count(), out, 0);
        for (int i = 0; i < images.count(); i++) {
            stamp(out, i * size, images.rows(), images.cols());
        }
        return out;
    }
}
