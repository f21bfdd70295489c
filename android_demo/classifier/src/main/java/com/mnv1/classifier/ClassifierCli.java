package com.mnv1.classifier;

import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * The plain-Java module from the command line, so that its answers can be set beside Python's:
 *   preprocess IMAGE.ppm OUT.f32        write the input tensor as little-endian float32
 *   topk LOGITS.f32 LABELS.txt K        print "rank index probability label" lines
 */
public final class ClassifierCli {
    private ClassifierCli() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("preprocess")) {
            Ppm image;
            try (InputStream in = new FileInputStream(args[1])) {
                image = Ppm.read(in);
            }
            float[] tensor = Preprocessor.paddleClas().toTensor(image.argb, image.width, image.height);
            ByteBuffer out = ByteBuffer.allocate(4 * tensor.length).order(ByteOrder.LITTLE_ENDIAN);
            out.asFloatBuffer().put(tensor);
            try (DataOutputStream file = new DataOutputStream(new FileOutputStream(args[2]))) {
                file.write(out.array());
            }
        } else if (args.length == 4 && args[0].equals("topk")) {
            ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(Paths.get(args[1]))).order(ByteOrder.LITTLE_ENDIAN);
            float[] logits = new float[raw.remaining() / 4];
            raw.asFloatBuffer().get(logits);
            Labels labels;
            try (FileReader reader = new FileReader(args[2])) {
                labels = Labels.read(reader);
            }
            int rank = 1;
            for (TopK.Entry entry : TopK.best(TopK.softmax(logits), Integer.parseInt(args[3]))) {
                System.out.printf("%d\t%d\t%.6f\t%s%n", rank++, entry.index, entry.probability, labels.name(entry.index));
            }
        } else {
            System.err.println("usage: ClassifierCli preprocess IMAGE.ppm OUT.f32 | topk LOGITS.f32 LABELS.txt K");
            System.exit(2);
        }
    }
}
