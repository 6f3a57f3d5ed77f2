import axios from 'axios';
import type {
  ConformanceReport,
  Violation,
} from '@oneflow-sync/simulators/src/oneflow/conformance/connectorConformance';
import { ONEFLOW_USER_AGENT } from '../oneflow/oneflowClient';

/**
 * What the Oneflow simulator's connector-definition check found while a stack ran: every answer and notification
 * it gave, and every request the product's own Oneflow client sent (told apart by its user agent; a test's
 * deliberately malformed requests are not the product's).
 */
export async function oneflowConformanceViolations(oneflowUrl: string): Promise<Violation[]> {
  const report = await axios.get<ConformanceReport>(`${oneflowUrl}/_sim/conformance`);
  return report.data.violations.filter(
    (violation) => violation.direction !== 'request' || violation.client === ONEFLOW_USER_AGENT,
  );
}

export class OneflowConformanceError extends Error {
  constructor(violations: readonly Violation[]) {
    super(
      `Oneflow exchanges that differ from Oneflow's connector definition:\n${violations
        .map(
          (violation) =>
            `- ${violation.direction} ${violation.method} ${violation.path}` +
            `${violation.status === undefined ? '' : ` (${String(violation.status)})`} [${violation.check}]: ` +
            violation.problems.join('; '),
        )
        .join('\n')}`,
    );
    this.name = 'OneflowConformanceError';
  }
}
