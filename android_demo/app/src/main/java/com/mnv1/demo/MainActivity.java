package com.mnv1.demo;

import android.app.Activity;
import android.content.Intent;
import android.graphics.Bitmap;
import android.graphics.BitmapFactory;
import android.net.Uri;
import android.os.Bundle;
import android.os.Handler;
import android.os.Looper;
import android.widget.ArrayAdapter;
import android.widget.Button;
import android.widget.ImageView;
import android.widget.Spinner;
import android.widget.TextView;

import com.baidu.paddle.lite.MobileConfig;
import com.baidu.paddle.lite.PaddlePredictor;
import com.baidu.paddle.lite.PowerMode;
import com.baidu.paddle.lite.Tensor;
import com.mnv1.classifier.Labels;
import com.mnv1.classifier.Preprocessor;
import com.mnv1.classifier.TopK;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Classifies an image (the bundled sample, one from the gallery, or a camera shot) with a Paddle Lite
 * .nb model from assets/models, and shows the top-5 labels and the latency: warm-up runs, then the
 * mean of timed runs. Model, thread count and power mode are chosen on screen.
 */
public class MainActivity extends Activity {
    private static final int PICK_IMAGE = 1;
    private static final int TAKE_PHOTO = 2;
    private static final int WARMUP_RUNS = 5;
    private static final int TIMED_RUNS = 20;
    private static final int TOP_K = 5;

    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private final Handler ui = new Handler(Looper.getMainLooper());
    private final Preprocessor preprocessor = Preprocessor.paddleClas();
    private Bitmap image;
    private Labels labels;
    private ImageView imageView;
    private TextView resultText;
    private TextView latencyText;
    private Spinner modelSpinner;
    private Spinner threadsSpinner;
    private Spinner powerSpinner;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        setContentView(R.layout.activity_main);
        imageView = findViewById(R.id.image);
        resultText = findViewById(R.id.result_text);
        latencyText = findViewById(R.id.latency_text);
        modelSpinner = findViewById(R.id.model_spinner);
        threadsSpinner = findViewById(R.id.threads_spinner);
        powerSpinner = findViewById(R.id.power_spinner);
        modelSpinner.setAdapter(new ArrayAdapter<>(this, android.R.layout.simple_spinner_dropdown_item, bundledModels()));
        image = BitmapFactory.decodeResource(getResources(), R.drawable.sample);
        ((Button) findViewById(R.id.sample_button)).setOnClickListener(v -> showImage(
                BitmapFactory.decodeResource(getResources(), R.drawable.sample)));
        ((Button) findViewById(R.id.gallery_button)).setOnClickListener(v -> startActivityForResult(
                new Intent(Intent.ACTION_GET_CONTENT).setType("image/*"), PICK_IMAGE));
        ((Button) findViewById(R.id.camera_button)).setOnClickListener(v -> startActivityForResult(
                new Intent(android.provider.MediaStore.ACTION_IMAGE_CAPTURE), TAKE_PHOTO));
        ((Button) findViewById(R.id.run_button)).setOnClickListener(v -> classify());
        try (InputStream in = getAssets().open("labels.txt")) {
            labels = Labels.read(new InputStreamReader(in, "UTF-8"));
        } catch (IOException e) {
            resultText.setText("labels.txt is missing from the APK's assets: run android_demo/install.py");
        }
    }

    private List<String> bundledModels() {
        List<String> names = new ArrayList<>();
        try {
            for (String file : getAssets().list("models")) {
                if (file.endsWith(".nb")) {
                    names.add(file);
                }
            }
        } catch (IOException e) {
            // no models folder: the list stays empty and classify() says so
        }
        return names;
    }

    private void showImage(Bitmap bitmap) {
        if (bitmap != null) {
            image = bitmap;
            imageView.setImageBitmap(bitmap);
        }
    }

    @Override
    protected void onActivityResult(int requestCode, int resultCode, Intent data) {
        super.onActivityResult(requestCode, resultCode, data);
        if (resultCode != RESULT_OK || data == null) {
            return;
        }
        if (requestCode == PICK_IMAGE && data.getData() != null) {
            Uri uri = data.getData();
            try (InputStream in = getContentResolver().openInputStream(uri)) {
                showImage(BitmapFactory.decodeStream(in));
            } catch (IOException e) {
                resultText.setText("cannot read the chosen image: " + e.getMessage());
            }
        } else if (requestCode == TAKE_PHOTO && data.getExtras() != null) {
            showImage((Bitmap) data.getExtras().get("data"));
        }
    }

    private void classify() {
        Object model = modelSpinner.getSelectedItem();
        if (model == null) {
            resultText.setText("no .nb model in the APK: run android_demo/install.py --model NAME");
            return;
        }
        final String modelName = model.toString();
        final int threads = Integer.parseInt(threadsSpinner.getSelectedItem().toString());
        final PowerMode powerMode = PowerMode.valueOf(powerSpinner.getSelectedItem().toString());
        final Bitmap bitmap = image;
        resultText.setText("running " + modelName + " ...");
        worker.execute(() -> {
            String result;
            String latency = "";
            try {
                int[] pixels = new int[bitmap.getWidth() * bitmap.getHeight()];
                bitmap.getPixels(pixels, 0, bitmap.getWidth(), 0, 0, bitmap.getWidth(), bitmap.getHeight());
                float[] input = preprocessor.toTensor(pixels, bitmap.getWidth(), bitmap.getHeight());
                MobileConfig config = new MobileConfig();
                config.setModelFromFile(modelFile(modelName).getAbsolutePath());
                config.setThreads(threads);
                config.setPowerMode(powerMode);
                PaddlePredictor predictor = PaddlePredictor.createPaddlePredictor(config);
                Tensor tensor = predictor.getInput(0);
                tensor.resize(new long[] {1, 3, preprocessor.crop(), preprocessor.crop()});
                tensor.setData(input);
                for (int i = 0; i < WARMUP_RUNS; i++) {
                    predictor.run();
                }
                long started = System.nanoTime();
                for (int i = 0; i < TIMED_RUNS; i++) {
                    predictor.run();
                }
                double meanMs = (System.nanoTime() - started) / 1e6 / TIMED_RUNS;
                float[] probabilities = TopK.softmax(predictor.getOutput(0).getFloatData());
                StringBuilder text = new StringBuilder();
                for (TopK.Entry entry : TopK.best(probabilities, TOP_K)) {
                    text.append(String.format(Locale.US, "%.3f  %s%n", entry.probability,
                            labels == null ? "class " + entry.index : labels.name(entry.index)));
                }
                result = text.toString();
                latency = String.format(Locale.US, "%s: mean %.2f ms over %d runs after %d warm-up, %d thread(s), %s",
                        modelName, meanMs, TIMED_RUNS, WARMUP_RUNS, threads, powerMode);
            } catch (Throwable e) {
                result = "failed: " + e;
            }
            final String shownResult = result;
            final String shownLatency = latency;
            ui.post(() -> {
                resultText.setText(shownResult);
                latencyText.setText(shownLatency);
            });
        });
    }

    /** Paddle Lite loads models from a path, so the asset is copied to the app's files once. */
    private File modelFile(String name) throws IOException {
        File file = new File(getFilesDir(), name);
        try (InputStream in = getAssets().open("models/" + name)) {
            if (file.length() == in.available() && in.available() > 0) {
                return file;
            }
            try (OutputStream out = new FileOutputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                }
            }
        }
        return file;
    }

    @Override
    protected void onDestroy() {
        worker.shutdownNow();
        super.onDestroy();
    }
}
