// Scale-out: the campaign scenario with 1, 2 and 4 dispatchers (each run as runCampaign runs it,
// same users each), the curve of rate and CPU per notification by kind of process, where it
// flattens, and the projection for N cores (the model: ../scale-out-model.ts).
import { cheapest, curvePoint, flattening, project } from '../scale-out-model.js'
import { runCampaign, type CampaignOptions } from './campaign.js'

export type CampaignResult = Awaited<ReturnType<typeof runCampaign>>

export interface ScaleOutOptions extends Omit<CampaignOptions, 'dispatchers'> {
  dispatcherCounts?: number[]
  /** Campaigns of this run already measured at the same size (the campaign scenario's), reused rather than run again. */
  measured?: CampaignResult[]
  /** The core counts to project for. */
  projectFor?: number[]
}

export async function runScaleOut ({ dispatcherCounts = [1, 2, 4], measured = [], projectFor = [2, 4, 8, 16], ...campaign }: ScaleOutOptions) {
  const runs: CampaignResult[] = []
  const reused: number[] = []
  for (const dispatchers of dispatcherCounts) {
    const earlier = measured.find((run) => run.dispatchers === dispatchers && run.users === campaign.users)
    if (earlier !== undefined) reused.push(dispatchers)
    runs.push(earlier ?? await runCampaign({ ...campaign, dispatchers }).catch((error: unknown) => {
      throw new Error(`scale-out with ${dispatchers} dispatchers: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }))
  }
  const curve = runs.map(curvePoint)
  const costs = cheapest(curve)
  return {
    scenario: 'scale-out: the campaign with more dispatchers',
    users: campaign.users,
    reusedFromCampaignScenario: reused,
    runs,
    curve,
    flattensAfter: flattening(curve)?.dispatchers ?? null,
    projectedFrom: costs.dispatchers,
    projection: project(costs, projectFor)
  }
}
