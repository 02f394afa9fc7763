import { render } from 'preact'
import './styles.css'
import { Shell } from './shell.tsx'

render(<Shell />, document.getElementById('app')!)
