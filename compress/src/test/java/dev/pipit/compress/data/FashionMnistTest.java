package dev.pipit.compress.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @Test
    void train_installedFiles_has60000LabelledImagesOfEveryClass() {
        LabeledImages train = TestData.train();
        assertEquals(60_000, train.count());
        assertEquals(784, train.imageSize());
        int[] perClass = new int[10];
        for (int i = 0; i < train.count(); i++) {
            perClass[train.label(i)]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(6_000, perClass[c], "class " + c); // Fashion-MNIST is balanced
        }
    }

    @Test
    void test_installedFiles_has10000ImagesWithPixelsInUnitRange() {
        LabeledImages test = TestData.test();
        assertEquals(10_000, test.count());
        float[] first = test.image(0);
        float max = 0;
        for (float p : first) {
            assertTrue(p >= 0f && p <= 1f);
            max = Math.max(max, p);
        }
        assertEquals(1f, max, 1e-6f, "the first test image (an ankle boot) has a saturated pixel");
        assertEquals(9, test.label(0)); // the first test image is an ankle boot
        assertEquals("Ankle boot", FashionMnist.CLASS_NAMES.get(test.label(0)));
    }

    @Test
    void train_missingDirectory_namesTheDebianPackage(@TempDir Path empty) {
        IOException e = assertThrows(IOException.class, () -> FashionMnist.train(empty));
        assertTrue(e.getMessage().contains("sudo apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void slice_range_copiesImagesAndLabels() {
        LabeledImages test = TestData.test();
        LabeledImages part = test.slice(10, 5);
        assertEquals(5, part.count());
        assertEquals(test.label(12), part.label(2));
        assertEquals(test.image(12)[400], part.image(2)[400]);
        assertThrows(IllegalArgumentException.class, () -> test.slice(9_999, 2));
    }
}
