package appstreamops.trino;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trino.Session;
import io.trino.plugin.hive.HivePlugin;
import io.trino.spi.type.TimeZoneKey;
import io.trino.testing.DistributedQueryRunner;
import io.trino.testing.MaterializedResult;
import io.trino.testing.MaterializedRow;

import java.io.File;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.trino.testing.TestingSession.testSessionBuilder;

/**
 * Runs one job on an embedded Trino: a Hive catalog over local files with a file metastore (as
 * Athena reads Glue tables over S3), setup statements, then each query, in a session in the job's
 * time zone. current_date comes from the server's clock when each query starts (a client session's
 * start time is not honoured), so the job's data is generated relative to that clock. Writes the
 * results as JSON: every value a JSON number for numeric types and a string otherwise.
 *
 * Usage: AthenaSqlRunner <job.json> <result.json>
 */
public final class AthenaSqlRunner {
    private AthenaSqlRunner() {}

    public static void main(String[] args) {
        try {
            run(new File(args[0]), new File(args[1]));
            System.exit(0);
        } catch (Throwable error) {
            error.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(File jobFile, File resultFile) throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode job = json.readTree(jobFile);
        long started = System.nanoTime();
        Session session = testSessionBuilder()
                .setCatalog("hive")
                .setSchema(job.get("schema").asText())
                .setTimeZoneKey(TimeZoneKey.getTimeZoneKey(job.get("timeZone").asText()))
                .build();
        Map<String, String> catalog = new HashMap<>();
        job.get("catalog").fields().forEachRemaining(e -> catalog.put(e.getKey(), e.getValue().asText()));
        ObjectNode result = json.createObjectNode();
        try (DistributedQueryRunner trino = DistributedQueryRunner.builder(session).setWorkerCount(0).build()) {
            trino.installPlugin(new HivePlugin());
            trino.createCatalog("hive", "hive", catalog);
            result.put("trinoVersion", trino.getCoordinator().getClass().getPackage().getImplementationVersion());
            result.put("startupMillis", (System.nanoTime() - started) / 1_000_000);
            System.err.println("trino: started in " + (System.nanoTime() - started) / 1_000_000 + " ms");
            for (JsonNode statement : job.get("setup")) trino.execute(session, statement.asText());
            ObjectNode queries = result.putObject("queries");
            for (JsonNode query : job.get("queries")) {
                String id = query.get("id").asText();
                ObjectNode out = queries.putObject(id);
                try {
                    MaterializedResult rows = trino.execute(session, query.get("sql").asText());
                    ArrayNode columns = out.putArray("columns");
                    rows.getColumnNames().forEach(columns::add);
                    ArrayNode types = out.putArray("types");
                    rows.getTypes().forEach(type -> types.add(type.getDisplayName()));
                    ArrayNode data = out.putArray("rows");
                    for (MaterializedRow row : rows.getMaterializedRows()) {
                        ArrayNode values = data.addArray();
                        for (Object value : row.getFields()) add(values, value);
                    }
                } catch (RuntimeException error) {
                    out.put("error", String.valueOf(error.getMessage()));
                }
                System.err.println("trino: ran " + id);
            }
        }
        json.writerWithDefaultPrettyPrinter().writeValue(resultFile, result);
    }

    private static void add(ArrayNode values, Object value) {
        if (value == null) values.addNull();
        else if (value instanceof BigDecimal decimal) values.add(decimal);
        else if (value instanceof Long number) values.add(number);
        else if (value instanceof Integer number) values.add(number);
        else if (value instanceof Double number) values.add(number);
        else if (value instanceof Boolean bool) values.add(bool);
        else if (value instanceof List<?> list) {
            ArrayNode nested = values.addArray();
            for (Object item : list) add(nested, item);
        } else values.add(value.toString());
    }
}
